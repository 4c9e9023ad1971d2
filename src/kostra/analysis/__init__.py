"""Pure analyses over KOSTRA frames: frames in, frames out, no I/O.

``indicators`` evaluates the catalog's key figures; ``profile`` builds service profiles against
peers; ``need`` computes need-corrected costs; ``production`` the production and efficiency
indices.
"""
