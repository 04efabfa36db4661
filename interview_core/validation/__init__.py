"""How well a scoring engine ranks answers the way people do, on the rated corpus."""
