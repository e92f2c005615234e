"""Security rules with no web in them: password hashing and policy, one-time codes."""
