"""Online scoring of one order from its star (stored neighbour states) equals the batch forward
pass of the causal view for every order of a toy marketplace: the invariant the API relies on."""

import pytest
import torch

from gnn.classify import predict
from gnn.classify_data import property_data
from gnn.classify_spec import TrainConfig
from gnn.fraud import FRAUD_NODE_PROPERTIES, run_fraud
from gnn.fraud.online import layer_states, score_star
from gnn.fraud.toy import records_to_arrays, toy_fraud_records


@pytest.fixture(scope="module")
def fitted():  # type: ignore[no-untyped-def]
    nodes, rels = toy_fraud_records(users=40, rings=4, seed=5)
    data = property_data(records_to_arrays(nodes, rels, FRAUD_NODE_PROPERTIES))
    settings = TrainConfig(dim=16, max_epochs=3, patience=2)
    run = run_fraud(data, seed=7, device="cpu", settings=settings)
    return run.gnn.model, run.view


def test_layer_states_shape(fitted) -> None:  # type: ignore[no-untyped-def]
    model, view = fitted
    hidden = layer_states(model, view)
    assert hidden.shape == (model.num_layers, view.num_nodes["Order"], model.dim)


def test_star_score_equals_batch_forward(fitted) -> None:  # type: ignore[no-untyped-def]
    model, view = fitted
    hidden = layer_states(model, view)
    batch = predict(model, view, torch.device("cpu"))
    n = view.num_nodes["Order"]
    for i in range(0, n, max(n // 25, 1)):
        nbrs = {et: hidden[:, ei[0, ei[1] == i]] for et, ei in view.edges.items()}
        online, states = score_star(model, view.x["Order"][i], nbrs)
        assert torch.allclose(states, hidden[:, i], atol=1e-5)
        assert online == pytest.approx(float(batch[i]), abs=1e-4), i


def test_star_without_neighbours_differs_for_a_ring_order(fitted) -> None:  # type: ignore[no-untyped-def]
    """Neighbours matter: dropping them changes some score (the test can fail)."""
    model, view = fitted
    hidden = layer_states(model, view)
    diffs = []
    for i in range(view.num_nodes["Order"]):
        nbrs = {et: hidden[:, ei[0, ei[1] == i]] for et, ei in view.edges.items()}
        if any(v.shape[1] for v in nbrs.values()):
            full = score_star(model, view.x["Order"][i], nbrs)[0]
            alone = score_star(model, view.x["Order"][i], {})[0]
            diffs.append(abs(full - alone))
    assert max(diffs) > 1e-3
