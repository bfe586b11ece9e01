"""Kubernetes: every overlay renders with `kubectl kustomize` and validates against a named version.

Nothing here runs a cluster: the objects are checked against the Kubernetes
1.32 JSON schemas (kubernetes-validate, strict: unknown fields are errors) and
for the properties the deployment promises (non-root, read-only, probes,
resources, secrets referenced only, one tenant per overlay).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from knotenpunkt.shared.config import ROOT

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())


def kustomize(overlay: str) -> list[dict]:
    if shutil.which("kubectl"):
        cmd = ["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone"]
    elif shutil.which("kustomize"):
        cmd = ["kustomize", "build", "--load-restrictor", "LoadRestrictionsNone"]
    else:
        pytest.fail("neither kubectl nor kustomize: apt-get install kubectl")
    result = subprocess.run(
        [*cmd, str(K8S / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def test_there_is_an_overlay_per_tenant():
    tenants = sorted(p.stem for p in (ROOT / "deploy" / "tenants").glob("*.yaml"))
    assert OVERLAYS == tenants


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_and_validates(overlay):
    import kubernetes_validate

    objects = kustomize(overlay)
    errors = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(
                f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}"
            )
    assert not errors, "\n".join(errors)

    kinds = {}
    for obj in objects:
        kinds.setdefault(obj["kind"], []).append(obj)
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == f"knotenpunkt-{overlay}"
    assert "Secret" not in kinds  # referenced, never inlined
    deployments = {d["metadata"]["name"]: d for d in kinds["Deployment"]}
    services = ("membership", "voting", "events", "notifications")
    assert set(deployments) == {*services, *(f"{s}-worker" for s in services), "gateway"}
    assert {h["spec"]["scaleTargetRef"]["name"] for h in kinds["HorizontalPodAutoscaler"]} == set(
        services
    )
    assert len(kinds["PodDisruptionBudget"]) == 5 and len(kinds["NetworkPolicy"]) >= 4
    assert [j["metadata"]["name"] for j in kinds["Job"]] == ["migrate"]
    assert len(kinds["Ingress"]) == 1
    assert kinds["Ingress"][0]["spec"]["rules"][0]["host"].startswith(overlay)

    # the tenant file as a ConfigMap: exactly this network's file; TENANTS names it
    (tenants_cm,) = [
        c for c in kinds["ConfigMap"] if c["metadata"]["name"].startswith("knotenpunkt-tenants")
    ]
    assert list(tenants_cm["data"]) == [f"{overlay}.yaml"]
    (settings_cm,) = [
        c for c in kinds["ConfigMap"] if c["metadata"]["name"] == "knotenpunkt-settings"
    ]
    assert settings_cm["data"]["TENANTS"] == overlay
    assert settings_cm["data"]["QUEUE_TYPE"] == "quorum"

    for obj in [*kinds["Deployment"], *kinds["Job"]]:
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
            assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]
            if obj["metadata"]["name"] in services:
                assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
            if c["image"].startswith("knotenpunkt/app"):
                assert {"secretRef": {"name": "knotenpunkt-secrets"}} in c["envFrom"]
                volumes = {v["name"]: v for v in pod["volumes"]}
                assert volumes["tenants"]["configMap"]["name"] == tenants_cm["metadata"]["name"]


def test_operator_examples_parse():
    docs = {
        p.name: list(yaml.safe_load_all(p.read_text(encoding="utf-8")))
        for p in (K8S / "operators").glob("*.yaml")
    }
    kinds = {d["kind"] for ds in docs.values() for d in ds}
    assert kinds == {"Cluster", "RabbitmqCluster"}


def test_the_demo_data_component_seeds_the_overlays_network(tmp_path):
    """An overlay with the demo-data component: one more Job, seed-demo, with the overlay's
    settings (TENANTS=chemnitz) and its tenant file; it validates like the rest."""
    import kubernetes_validate

    folder = tmp_path / "chemnitz-demo"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "namespace: knotenpunkt-chemnitz\n"
        # kustomize wants relative paths
        f"resources:\n  - {os.path.relpath(K8S / 'overlays' / 'chemnitz', folder)}\n"
        f"components:\n  - {os.path.relpath(K8S / 'components' / 'demo-data', folder)}\n",
        encoding="utf-8",
    )
    objects = kustomize(str(folder))
    jobs = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Job"}
    assert set(jobs) == {"migrate", "seed-demo"}
    seed = jobs["seed-demo"]
    kubernetes_validate.validate(seed, KUBERNETES_VERSION, strict=True)
    assert seed["metadata"]["namespace"] == "knotenpunkt-chemnitz"
    pod = seed["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == ["seed-demo"]
    (settings_cm,) = [o for o in objects if o["metadata"]["name"] == "knotenpunkt-settings"]
    assert settings_cm["data"]["TENANTS"] == "chemnitz"
    tenants = next(v for v in pod["volumes"] if v["name"] == "tenants")["configMap"]["name"]
    (tenants_cm,) = [o for o in objects if o["metadata"]["name"] == tenants]
    assert list(tenants_cm["data"]) == ["chemnitz.yaml"]
