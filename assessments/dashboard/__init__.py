"""The bureau's statistics (issue 10): groups over time against the A-5 targets, coverage by
district and stage, cooperation types, weak-school shares (A-4), cards, subsidies, schools in no
group, as of a chosen day and within the reader's scope (policy A-1)."""
