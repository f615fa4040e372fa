"""What funding/agreements plugs into the shared parts."""
