"""End-user self-service: the `/api/users/v1/me/...` APIs behind My Account."""
