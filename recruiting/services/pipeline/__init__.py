"""The HR workbench's pipeline: the board of one opening, bulk actions through the existing
use cases, the review of one application, the comparison of an opening's candidates."""
