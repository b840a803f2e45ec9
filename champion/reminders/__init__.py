"""Email about assignments: reminders, the leads' weekly digest, lead messages, preferences."""
