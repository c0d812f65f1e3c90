"""Build scripts of the shipped layers and cited parameter tables."""
