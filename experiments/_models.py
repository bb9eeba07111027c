"""How the experiments name a model in their file names and figures (shared by the scripts in this folder)."""

DEFAULT_MODEL = "smollm2-135m"


def title(model: str) -> str:
    "How figures name a model: an embedded model's title, else its name."
    from rome_nb.core import EMBEDDED
    return EMBEDDED.get(model, {}).get("title", model)


def stem(model: str, base: str) -> str:
    "A results file's stem: the default model's files keep their names, another model's carry its name."
    return base if model == DEFAULT_MODEL else f"{base}_{model.replace('/', '_')}"
