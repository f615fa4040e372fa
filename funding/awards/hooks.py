"""What funding/awards plugs into the shared parts."""
