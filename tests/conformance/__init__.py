"""The conformance suite `photo-contracts run` drives, shipped in the wheel as `photo_contracts.conformance`."""
