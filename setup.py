# nbdev 2's setup.py template, using `packaging` instead of the removed `pkg_resources`.
from configparser import ConfigParser
from packaging.requirements import Requirement
import setuptools, shlex

assert Requirement("setuptools>=36.2")
config = ConfigParser(delimiters=["="])
config.read("settings.ini", encoding="utf-8")
cfg = config["DEFAULT"]

expected = "version description keywords author author_email".split()
missing = [o for o in expected if o not in cfg]
if missing: raise KeyError(f"settings.ini is missing: {missing}")

licenses = {"mit": ("MIT License", "OSI Approved :: MIT License")}
statuses = ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable", "6 - Mature", "7 - Inactive"]
py_versions = "3.10 3.11 3.12 3.13".split()

def reqs(key):
    "Requirements listed under `key`, validated with `packaging`."
    out = shlex.split(cfg.get(key, ""))
    for r in out: Requirement(r)
    return out

lic = licenses[cfg["license"].lower()]
min_python = cfg["min_python"]
lib_path = cfg["lib_path"]
setuptools.setup(
    name=cfg["lib_name"],
    license=lic[0],
    classifiers=["Development Status :: " + statuses[int(cfg["status"])],
                 "Intended Audience :: " + cfg["audience"].title(),
                 "Natural Language :: " + cfg["language"].title(),
                 "License :: " + lic[1]]
                + ["Programming Language :: Python :: " + v for v in py_versions[py_versions.index(min_python):]],
    url=cfg["git_url"],
    packages=setuptools.find_packages(include=[lib_path, lib_path + ".*"]),
    include_package_data=True,
    package_data={lib_path: ["data/*.json", "data/*.jsonl", "data/*.txt"]},
    install_requires=reqs("requirements"),
    extras_require={"dev": reqs("dev_requirements"), "gemma": reqs("gemma_requirements")},
    python_requires=">=" + min_python,
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    zip_safe=False,
    entry_points={"console_scripts": cfg.get("console_scripts", "").split(),
                  "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    version=cfg["version"], description=cfg["description"], keywords=cfg["keywords"],
    author=cfg["author"], author_email=cfg["author_email"],
)
