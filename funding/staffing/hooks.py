"""What funding/staffing plugs into the shared parts."""
