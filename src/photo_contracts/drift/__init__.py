"""Drift: what a run observed, compared with the contract and with an accepted baseline."""
