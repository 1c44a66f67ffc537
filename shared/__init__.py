"""The platform package every MotoVault service imports. It holds plumbing only, no business rules."""
