"""The HR workbench's use cases: signing staff in on the web, and what its pages read."""
