"""What funding/rates plugs into the shared parts."""
