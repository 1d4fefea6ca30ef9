"""Models: the registry and how each direction finds its translator, where models are
stored, how they load (transformers or CTranslate2), and the runners that generate with
them in batches."""
