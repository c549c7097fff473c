# Writes the torch.save fixtures of loadmodel_test.go (run once with PyTorch; CI does not).
# spec.json lists the parameters of the tiny ViT and GPT-2 of the test (arch.Params order);
# element j of tensor n is float32(((31*j + sum(bytes(n))) % 997) / 997 - 0.5), which the test
# recomputes in Go.
import collections, json, torch

spec = json.load(open("spec.json"))

def value(name, shape):
    h = sum(name.encode())
    n = 1
    for d in shape:
        n *= d
    xs = [((31 * j + h) % 997) / 997.0 - 0.5 for j in range(n)]
    return torch.tensor(xs, dtype=torch.float64).float().reshape(shape)

# torchvision-style: torch.save(vit.state_dict(), "vit.pth"), a bare OrderedDict.
vit = collections.OrderedDict((p["Name"], value(p["Name"], p["Shape"])) for p in spec["vit"])
torch.save(vit, "vit_tiny_state_dict.pth")

# A training checkpoint of a GPT2LMHeadModel's .transformer (GPT2Model: no "transformer."
# prefix) nested under "state_dict", with the tied lm_head saved too, as HF does.
sd = collections.OrderedDict()
for p in spec["gpt2"]:
    if p["Name"] == "lm_head.weight":
        continue
    sd[p["Name"].removeprefix("transformer.")] = value(p["Name"], p["Shape"])
sd["lm_head.weight"] = sd["wte.weight"]
torch.save({"state_dict": sd, "epoch": 3}, "gpt2_tiny_nested.pt")

# Not a state dict.
torch.save({"epoch": 3, "lr": 0.1}, "not_state_dict.pt")
