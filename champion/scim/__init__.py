"""SCIM 2.0 provisioning: a hospital's identity provider creates, updates and deactivates
accounts (``/scim/v2/Users``) and department memberships (``/scim/v2/Groups``)."""
