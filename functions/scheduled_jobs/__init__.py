"""The daily jobs: autopay runs, due-date reminders, overdue notices."""
