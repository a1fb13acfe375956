"""What arrives: stored deliveries and replies turned into the workflow's events, and catch-up."""
