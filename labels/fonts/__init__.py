"""Bundled font files (DejaVu Sans regular and bold, with LICENSE.txt); data only.

A package so that setuptools ships the ``.ttf`` and licence files as package data.
The code that finds and registers fonts is in :mod:`labels.typefaces`.
"""
