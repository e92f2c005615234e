"""Flask plumbing shared by every blueprint: permissions, headers, rendering, sessions."""
