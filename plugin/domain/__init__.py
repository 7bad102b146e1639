"""The domain: jurisdictions, regions, carriers, endpoints, the policy, legal citations, devices.

Pure data with sources and the rules to read it; nothing here knows an input format or Checkov."""
