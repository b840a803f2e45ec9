"""Two-factor sign-in for local (password) accounts: TOTP codes and recovery codes."""
