"""What funding/spending plugs into the shared parts."""
