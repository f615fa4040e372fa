"""What funding/dispatches plugs into the shared parts."""
