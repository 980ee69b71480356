"""Security: each test reproduces a finding of the hardening review and checks it holds."""
