"""Chapter 4 of the course notes: Dataset/DataLoader, saving and loading, and the GPU.

Data snippets write their own small CSV file (in the snippet's temporary directory) and read
it back through a ``Dataset``; shuffled loaders print sorted contents, since the two
libraries shuffle with different random streams. Device snippets use the usual
``device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')`` pattern.
"""

import pytest

import nbtorch

from ._harness import check_snippet, run_nbtorch_only, snippet_params

SNIPPETS = {
    "csv_dataset_dataloader": """
        import csv
        import torch
        from torch.utils.data import Dataset, DataLoader

        with open('data.csv', 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['x1', 'x2', 'label'])
            for i in range(10):
                w.writerow([i, i * 0.5, i % 2])

        class CSVDataset(Dataset):
            def __init__(self, path):
                with open(path) as f:
                    rows = list(csv.reader(f))[1:]
                self.x = torch.tensor([[float(a), float(b)] for a, b, _ in rows])
                self.y = torch.tensor([int(c) for _, _, c in rows])

            def __len__(self):
                return len(self.y)

            def __getitem__(self, idx):
                return self.x[idx], self.y[idx]

        dataset = CSVDataset('data.csv')
        print(len(dataset), dataset[3])
        loader = DataLoader(dataset, batch_size=4, shuffle=False)
        for batch_x, batch_y in loader:
            print(batch_x.shape, batch_y)
        print(len(loader))
        loader = DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True)
        seen = []
        for bx, by in loader:
            seen += bx[:, 0].tolist()
        print(len(loader), len(seen), len(set(seen)))
        xs, ys = next(iter(DataLoader(dataset, batch_size=3)))
        print(xs, ys.dtype)
    """,
    "dataloader_num_workers": """
        import torch
        from torch.utils.data import DataLoader, TensorDataset
        x = torch.arange(20.0).view(10, 2)
        y = torch.arange(10)
        dataset = TensorDataset(x, y)
        print(len(dataset), dataset[1])
        loader = DataLoader(dataset, batch_size=3, shuffle=True, num_workers=2)
        got = []
        for i, (bx, by) in enumerate(loader):
            got += by.tolist()
            print(i, bx.shape, by.dtype)
        print(sorted(got))
        loader = DataLoader(dataset, batch_size=4, num_workers=2)
        print([by.tolist() for _, by in loader])
    """,
    "dataset_returns_dicts_and_numpy": """
        import numpy as np
        import torch
        from torch.utils.data import Dataset, DataLoader

        class D(Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {'image': np.full((2, 2), i, dtype=np.float32), 'label': i, 'w': i / 2,
                        'name': f'item{i}'}

        batch = next(iter(DataLoader(D(), batch_size=2)))
        print(sorted(batch.keys()), batch['image'].shape, batch['image'].dtype)
        print(batch['label'], batch['w'], batch['name'])
        print([len(b['label']) for b in DataLoader(D(), batch_size=2)])
    """,
    "samplers_and_collate": """
        import torch
        from torch.utils.data import (DataLoader, TensorDataset, Subset, random_split,
                                      SequentialSampler, WeightedRandomSampler, ConcatDataset)
        from torch.utils.data.dataloader import default_collate
        ds = TensorDataset(torch.arange(10))
        print([b[0].tolist() for b in DataLoader(ds, batch_size=4, sampler=SequentialSampler(ds))])
        sub = Subset(ds, [1, 3, 5])
        print(len(sub), sub[1])
        torch.manual_seed(0)
        a, b = random_split(ds, [7, 3])
        print(len(a), len(b), sorted([x[0].item() for x in a] + [x[0].item() for x in b]))
        sampler = WeightedRandomSampler([0.0, 0.0, 1.0], num_samples=4, replacement=True)
        print(list(sampler))
        print(len(ConcatDataset([ds, ds])), default_collate([(1, 2.0), (3, 4.0)]))

        def collate_fn(batch):
            return [x[0] * 10 for x in batch]
        print(next(iter(DataLoader(ds, batch_size=2, collate_fn=collate_fn))))
    """,
    "save_load_tensors": """
        import torch
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        torch.save(a, 'a.pth')
        b = torch.load('a.pth')
        print(b, torch.equal(a, b))
        torch.save({'x': a, 'n': torch.tensor([1, 2]), 'lst': [a * 2, 3], 'epoch': 5}, 'd.pth')
        d = torch.load('d.pth')
        print(sorted(d.keys()), d['lst'][0], d['epoch'], d['n'].dtype)
        c = torch.load('a.pth', map_location=lambda storage, loc: storage)
        e = torch.load('a.pth', map_location='cpu')
        print(c.shape, e.device)
    """,
    "save_load_model_and_checkpoint": """
        import torch
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(0.5)
        torch.save(model.state_dict(), 'model.pth')
        model2 = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        print(model2.load_state_dict(torch.load('model.pth')))
        print(model2(torch.ones(1, 2)))
        print(list(torch.load('model.pth').keys()))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        model(torch.ones(4, 2)).sum().backward()
        optimizer.step()
        checkpoint = {'epoch': 3, 'model_state_dict': model.state_dict(),
                      'optimizer_state_dict': optimizer.state_dict(), 'loss': 0.25}
        torch.save(checkpoint, 'ckpt.tar')
        ck = torch.load('ckpt.tar')
        model2.load_state_dict(ck['model_state_dict'])
        opt2 = torch.optim.SGD(model2.parameters(), lr=0.5, momentum=0.9)
        opt2.load_state_dict(ck['optimizer_state_dict'])
        print(ck['epoch'], ck['loss'], opt2.param_groups[0]['lr'])
        print(opt2.state_dict()['state'][0]['momentum_buffer'])
        print(model2(torch.ones(1, 2)))
        try:
            nn.Linear(2, 4).load_state_dict(torch.load('model.pth'))
        except RuntimeError:
            print("mismatched state dict: RuntimeError")
        missing = nn.Linear(2, 3).load_state_dict({'weight': torch.ones(3, 2)}, strict=False)
        print(missing.missing_keys, missing.unexpected_keys)
    """,
    "device_agnostic_code": """
        import torch
        import torch.nn as nn
        device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
        print(device, torch.cuda.is_available(), torch.cuda.device_count())
        x = torch.ones(2, 3).to(device)
        model = nn.Linear(3, 1).to(device)
        print(x.device == device, x.is_cuda, next(model.parameters()).device.type)
        y = torch.zeros(2, device=device)
        print(y.device.type, torch.device('cpu'), torch.device('cuda:1'), torch.device('cuda', 0))
        print(torch.device('cuda:1').index, torch.device('cpu').type, str(torch.device('cuda')))
        if torch.cuda.is_available():
            x = x.cuda()
        print(x.cpu().numpy().sum())
        print(x.to('cpu', torch.float64).dtype, x.to(torch.device('cpu')).device)
        z = torch.tensor([1, 2]).to(x)
        print(z.dtype, z.device)
    """,
    "gpu_training_step": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
        if torch.cuda.is_available():
            torch.cuda.set_device(0)
            print(torch.cuda.current_device())
            with torch.cuda.device(0):
                a = torch.ones(2).cuda()
            b = torch.ones(2).cuda(0)
            print(a.device == b.device, a.is_cuda, (a + b).device.type, b.get_device())
            print(torch.tensor([1.5, 2.0], device='cuda'))
            try:
                a + torch.ones(2)
            except RuntimeError:
                print("mixed devices: RuntimeError")
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
        with torch.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view(p.shape) * (i + 1))
        x = torch.linspace(-1, 1, 20).view(5, 4).to(device)
        y = torch.tensor([0, 1, 2, 1, 0]).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for step in range(3):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            print(f"{loss.item():.4f}", loss.device.type == device.type)
        pred = model(x).argmax(1)
        print(pred.cpu(), (pred == y).sum().item(), model[0].weight.grad.device.type == device.type)
        torch.save(model.state_dict(), 'gpu.pth')
        state = torch.load('gpu.pth', map_location='cpu')
        print(state['0.bias'].device, nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                                                   nn.Linear(8, 3)).load_state_dict(state))
    """,
}

# Snippets that still fail: the open problem and the owner of the file that must change.
KNOWN = {}


# Snippets whose output depends on whether a cuda device exists.
DEVICE_SNIPPETS = {"device_agnostic_code", "gpu_training_step"}


@pytest.mark.oracle
@pytest.mark.parametrize("name", snippet_params(SNIPPETS, KNOWN))
def test_snippet_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    if name in DEVICE_SNIPPETS and nbtorch.cuda.is_available() != torch.cuda.is_available():
        # Under NUMBA_ENABLE_CUDASIM=1 nbtorch has a (simulated) cuda device and PyTorch has
        # none: the snippets take different branches, so only check that ours runs.
        run_nbtorch_only(SNIPPETS[name])
        return
    check_snippet(SNIPPETS[name])
