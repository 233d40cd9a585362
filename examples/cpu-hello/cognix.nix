# Settings cog.yaml cannot express; none are needed for this model.
{ }
