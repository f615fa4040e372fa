"""What funding/overview plugs into the shared parts."""
