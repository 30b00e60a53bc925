"""A fake Microsoft Entra ID: app registrations, token issuance and token checks."""
