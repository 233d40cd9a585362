# What cog.yaml cannot say goes here. This model needs nothing: the file build.run downloads is
# pinned in lock.json's `fetches` by the lock command, like the Python packages.
{ }
