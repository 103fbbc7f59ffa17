"""Task states of the payment_retry, approval and settlement state machines."""
