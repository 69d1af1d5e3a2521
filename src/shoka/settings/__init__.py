"""Settings per role: staff (private zone), opac (public zone), test."""
