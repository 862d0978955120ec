"""The staff's desk ("Mi mesa", issue 20)."""
