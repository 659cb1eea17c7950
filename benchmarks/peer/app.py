"""The peer: trazo's digit API as a Python developer would write it with FastAPI and ONNX Runtime.

It serves trazo's own model (model/trazo-mnist.onnx) with the parts of trazo's API contract
the benchmark uses:

    POST /api/register {"username","password"} -> 201 {"msg":"User registered successfully"}
    POST /api/login    {"username","password"} -> 200 {"access_token","token_type","expires_in"}
    POST /api/predict  multipart field "file", Authorization: Bearer <token>
                       -> 200 {"prediccion","probabilidad","cached","probabilities",
                               "model_version","preprocess_version","image"}

Accounts live in SQLite (bcrypt hashes); access tokens are HS256 JWTs (15 minutes) checked by
signature and expiry only; predictions are cached in Redis under the SHA-256 of the uploaded
bytes. Preprocessing (preprocess.py) is trazo's, step for step. ONNX Runtime runs with one
intra-op thread; run one uvicorn worker per core:

    PEER_SECRET=... uvicorn app:app --workers 2 --no-access-log

Settings (environment): PEER_SECRET (JWT key, required to share tokens between workers),
PEER_DATABASE (SQLite file, peer.db), PEER_REDIS_URL (redis://127.0.0.1:6379/1), PEER_MODEL (the
ONNX file, model/trazo-mnist.onnx of this repository), PEER_CACHE_TTL_SECS (86400),
PEER_MAX_BYTES (1048576), PEER_REDIS_POOL (Redis connections per worker, 50).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sqlite3
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import bcrypt
import jwt
import numpy as np
import onnxruntime as ort
import redis.asyncio as redis
from fastapi import FastAPI, File, Request, UploadFile
from fastapi.responses import JSONResponse
from PIL import Image

import preprocess

HERE = Path(__file__).resolve().parent
MODEL_PATH = Path(os.environ.get("PEER_MODEL", HERE.parent.parent / "model" / "trazo-mnist.onnx"))
DATABASE = os.environ.get("PEER_DATABASE", "peer.db")
REDIS_URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/1")
SECRET = os.environ.get("PEER_SECRET") or "development-only-secret-change-me-0123456789"
CACHE_TTL = int(os.environ.get("PEER_CACHE_TTL_SECS", "86400"))
MAX_BYTES = int(os.environ.get("PEER_MAX_BYTES", str(1024 * 1024)))
REDIS_POOL = int(os.environ.get("PEER_REDIS_POOL", "50"))
TOKEN_SECONDS = 900

NO_FILE = "No se encontró el archivo en la solicitud."
NOT_AN_IMAGE = "Tipo de archivo no permitido. Por favor, sube una imagen PNG, JPG, JPEG o GIF."

MODEL_BYTES = MODEL_PATH.read_bytes()
MODEL_VERSION = hashlib.sha256(MODEL_BYTES).hexdigest()[:12]

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
session = ort.InferenceSession(MODEL_BYTES, options, providers=["CPUExecutionProvider"])
INPUT_NAME = session.get_inputs()[0].name


def db() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, timeout=10)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS users ("
        " id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL COLLATE NOCASE,"
        " password_hash BLOB NOT NULL, created_at REAL NOT NULL)"
    )
    return connection


@asynccontextmanager
async def lifespan(app: FastAPI):
    db().close()
    # A bounded pool that waits for a free connection: redis-py's default pool refuses the
    # 101st concurrent command ("Too many connections"), which 256 connections reach.
    pool = redis.BlockingConnectionPool.from_url(REDIS_URL, max_connections=REDIS_POOL, timeout=10)
    app.state.redis = redis.Redis(connection_pool=pool)
    # One pass so the first request does not pay for ONNX Runtime's lazy set-up.
    session.run(None, {INPUT_NAME: np.zeros((1, 1, 28, 28), dtype=np.float32)})
    yield
    await app.state.redis.aclose()


app = FastAPI(title="trazo peer (FastAPI + ONNX Runtime)", lifespan=lifespan)


def msg(status: int, text: str) -> JSONResponse:
    return JSONResponse({"msg": text}, status_code=status)


def error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


async def credentials(request: Request) -> tuple[str, str] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    return username.strip().lower(), password


@app.post("/api/register")
async def register(request: Request):
    given = await credentials(request)
    if given is None:
        return msg(400, "Missing username or password")
    username, password = given
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    with db() as connection:
        try:
            connection.execute(
                "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (str(uuid.uuid4()), username, hashed, time.time()),
            )
        except sqlite3.IntegrityError:
            return msg(409, "User already exists")
    return JSONResponse({"msg": "User registered successfully"}, status_code=201)


@app.post("/api/login")
async def login(request: Request):
    given = await credentials(request)
    if given is None:
        return msg(400, "Missing username or password")
    username, password = given
    with db() as connection:
        row = connection.execute(
            "SELECT id, password_hash FROM users WHERE username = ?", (username,)
        ).fetchone()
    if row is None or not bcrypt.checkpw(password.encode(), row[1]):
        return msg(401, "Bad username or password")
    now = int(time.time())
    claims = {"sub": row[0], "iat": now, "nbf": now, "exp": now + TOKEN_SECONDS,
              "jti": str(uuid.uuid4()), "type": "access"}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}


def caller(request: Request) -> str | JSONResponse:
    header = request.headers.get("authorization")
    if not header or not header.lower().startswith("bearer "):
        return msg(401, "Missing Authorization Header")
    try:
        claims = jwt.decode(header[7:].strip(), SECRET, algorithms=["HS256"], leeway=30)
    except jwt.ExpiredSignatureError:
        return msg(401, "Token has expired")
    except jwt.InvalidTokenError:
        return msg(401, "Invalid token")
    if claims.get("type") != "access" or "sub" not in claims:
        return msg(401, "Invalid token")
    return claims["sub"]


def png_data_url(image: np.ndarray) -> str:
    out = io.BytesIO()
    Image.fromarray(image, mode="L").save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def classify(upload: bytes) -> dict:
    image, model_input = preprocess.preprocess(upload)
    logits = session.run(None, {INPUT_NAME: model_input})[0][0]
    exp = np.exp(logits - logits.max())
    probabilities = exp / exp.sum()
    digit = int(np.argmax(probabilities))
    return {
        "prediccion": digit,
        "probabilidad": float(probabilities[digit]),
        "cached": False,
        "probabilities": [float(p) for p in probabilities],
        "model_version": MODEL_VERSION,
        "preprocess_version": preprocess.PREPROCESS_VERSION,
        "image": png_data_url(image),
    }


@app.post("/api/predict")
async def predict(request: Request, file: UploadFile | None = File(None)):
    user = caller(request)
    if isinstance(user, JSONResponse):
        return user
    if file is None:
        return error(400, NO_FILE)
    upload = await file.read()
    if len(upload) > MAX_BYTES:
        return error(413, "The image is too large")
    if preprocess.sniff(upload) is None:
        return error(400, NOT_AN_IMAGE)

    key = f"peer:predict:{MODEL_VERSION}:{preprocess.PREPROCESS_VERSION}:" + hashlib.sha256(upload).hexdigest()
    cached = await request.app.state.redis.get(key)
    if cached is not None:
        answer = json.loads(cached)
        answer["cached"] = True
        return answer
    try:
        # CPU-bound but short (well under a millisecond for a canvas): run in the event loop,
        # one worker process per core.
        answer = classify(upload)
    except preprocess.UnsupportedType:
        return error(400, NOT_AN_IMAGE)
    except preprocess.PreprocessError as refused:
        return error(422, str(refused))
    await request.app.state.redis.set(key, json.dumps(answer), ex=CACHE_TTL)
    return answer


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
