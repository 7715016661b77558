"""The conformance suite is driven by the photo_contracts pytest plugin (fixtures pc_*)."""
