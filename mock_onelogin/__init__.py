"""A simulated OneLogin: directory, Wrike app connector, provisioning engine, System Log."""
