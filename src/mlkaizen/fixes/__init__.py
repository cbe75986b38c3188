"""Fixes as code: scaffolding that closes a gap, adapted to what was detected.

``plan`` never writes; ``apply`` writes new files, and changes existing ones only when forced.
"""
