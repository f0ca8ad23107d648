"""The composition root: settings are read here, and the store, the models and both adapters are built here
and wired together. The `skinbot` command and its operational subcommands live here too."""
