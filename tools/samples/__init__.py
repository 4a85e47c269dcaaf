"""Sample data for the cards: every card filled in, for the schema tests and `tryggest cards`."""
