"""Continuing education credit: disclosures, claims by profession, transcripts and the
records an accredited provider keeps (docs/credit.md)."""
