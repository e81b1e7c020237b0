"""SCIM 2.0 (RFC 7643, RFC 7644) under `/t/{org}/scim2`: Users, Groups, Me, Bulk, discovery."""
