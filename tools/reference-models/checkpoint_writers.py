"""Writers for the checkpoint formats users have: torch.save (zip and legacy), safetensors (by hand, no
safetensors package), and the hostile files the C# readers must refuse."""
import collections
import io
import json
import pickle
import struct
import zipfile

import torch

SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


def as_module_state_dict(tensors, buffers=()):
    """An OrderedDict exactly as nn.Module.state_dict() returns it (with its _metadata attribute), built by
    nesting modules along the dotted names. Names listed in ``buffers`` are registered as buffers."""
    root = torch.nn.Module()
    for name, value in tensors.items():
        *path, leaf = name.split(".")
        module = root
        for part in path:
            if part not in module._modules:
                module.add_module(part, torch.nn.Module())
            module = module._modules[part]
        if name in buffers:
            module.register_buffer(leaf, value)
        else:
            module.register_parameter(leaf, torch.nn.Parameter(value, requires_grad=False))
    return root.state_dict()


def save_torch_zip(state_dict, path):
    torch.save(state_dict, path)


def save_torch_legacy(state_dict, path):
    torch.save(state_dict, path, _use_new_zipfile_serialization=False)


def save_safetensors(tensors, path, metadata=None):
    """The safetensors layout: u64 LE header length, JSON header (space-padded to 8 bytes), then the
    tensors' bytes back to back, largest element size first, then by name (as the reference writer does)."""
    order = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in order:
        t = tensors[name].contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def _zip_checkpoint(path, archive, data_pkl, storages=()):
    """A zip laid out like torch.save's (stored entries under one archive folder)."""
    entries = [("data.pkl", data_pkl), *((f"data/{key}", data) for key, data in storages), ("version", b"3\n")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(f"{archive}/{name}", date_time=(2024, 1, 1, 0, 0, 0)), data)


def save_malicious_os_system(path):
    """data.pkl calls os.system('echo pwned') through GLOBAL + REDUCE, as a booby-trapped pytorch_model.bin
    does. Written opcode by opcode so the global reads 'os system' on every platform."""
    command = b"echo pwned"
    pkl = (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(command)) + command
           + b"\x85" + b"R" + b".")
    _zip_checkpoint(path, "malicious", pkl)


def save_malicious_legacy_eval(path):
    """A legacy torch.save file whose object pickle calls builtins.eval."""
    out = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001,
                   {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, out, protocol=2)
    source = b"__import__('os').system('echo pwned')"
    out.write(b"\x80\x02" + b"cbuiltins\neval\n" + b"X" + struct.pack("<I", len(source)) + source + b"\x85R.")
    pickle.dump([], out, protocol=2)
    with open(path, "wb") as f:
        f.write(out.getvalue())


def save_pickled_by_value(path):
    """A zip whose data.pkl is plain pickle.dumps of tensors, which routes them through
    torch.storage._load_from_bytes: a torch.load call hidden inside the pickle."""
    _zip_checkpoint(path, "by_value", pickle.dumps(collections.OrderedDict(w=torch.ones(2)), protocol=2))
