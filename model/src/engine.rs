//! Runs the classifier on dedicated worker threads behind a bounded queue, for async servers.
//!
//! Inference is CPU-bound, so it never runs on the async runtime's threads: requests are queued
//! to `threads` std threads that each own a copy of the model. When the queue is full a request
//! fails at once with [`EngineError::Busy`] instead of waiting, so the server can shed load.
//!
//! Concurrent requests are not batched together: on this model and CPU backend a batch costs
//! the same per image as single images (see `BENCHMARKS.md`), so batching would only add
//! latency.

use std::{
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::{
        Arc, Mutex,
        mpsc::{self, Receiver, SyncSender, TrySendError},
    },
    task::{Context, Poll},
    thread::{self, JoinHandle},
};

use tokio::sync::oneshot;

use crate::model::{Classifier, Input, ModelError, Prediction};
use crate::preprocess::{SIDE, normalise};

/// Largest batch one forward pass gets; bigger `predict_batch` calls are split (memory).
const MAX_FORWARD_BATCH: usize = 256;

/// Why a request was not answered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// The queue is full; try again later (HTTP 503 with Retry-After).
    #[error("the inference queue is full")]
    Busy,
    /// The engine has shut down, or its worker died while handling the request.
    #[error("the inference engine is not running")]
    Stopped,
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
}

enum Reply {
    Async(oneshot::Sender<Result<Prediction, EngineError>>),
    Blocking(mpsc::Sender<Result<Vec<Prediction>, EngineError>>),
}

struct Job {
    inputs: Vec<Input>,
    reply: Reply,
}

/// The model behind a bounded queue and a fixed pool of worker threads.
///
/// Share it between request handlers with an `Arc`; dropping it lets the workers finish the
/// queued requests and then joins them.
pub struct Engine {
    sender: Option<SyncSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    threads: usize,
    queue_capacity: usize,
}

impl Engine {
    /// Loads the model once, warms it up with one forward pass and starts `threads` workers
    /// (at least 1) behind a queue of `queue_capacity` waiting requests (at least 1).
    pub fn new(threads: usize, queue_capacity: usize) -> Result<Self, EngineError> {
        let (threads, queue_capacity) = (threads.max(1), queue_capacity.max(1));
        let classifier = Classifier::load()?;
        // The first pass allocates and faults in everything; keep that off the first request.
        classifier.logits(&[normalise(&[0; SIDE * SIDE])])?;

        let (sender, receiver) = mpsc::sync_channel::<Job>(queue_capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..threads)
            .map(|i| {
                let receiver = Arc::clone(&receiver);
                let classifier = classifier.clone();
                thread::Builder::new()
                    .name(format!("trazo-infer-{i}"))
                    .spawn(move || work(&classifier, &receiver))
                    .map_err(|_| EngineError::Stopped)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            sender: Some(sender),
            workers,
            threads,
            queue_capacity,
        })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Number of requests that may wait beyond those being worked on.
    pub fn queue_capacity(&self) -> usize {
        self.queue_capacity
    }

    /// Queues one normalised image; `Busy` at once if the queue is full. Await the result.
    pub fn submit(&self, input: Input) -> Result<Pending, EngineError> {
        let (tx, rx) = oneshot::channel();
        self.enqueue(Job {
            inputs: vec![input],
            reply: Reply::Async(tx),
        })?;
        Ok(Pending(rx))
    }

    /// Classifies `inputs` on a worker and blocks until done (for eval and benches).
    /// Like `submit`, it returns `Busy` rather than wait for room in the queue.
    pub fn predict_batch(&self, inputs: &[Input]) -> Result<Vec<Prediction>, EngineError> {
        let (tx, rx) = mpsc::channel();
        self.enqueue(Job {
            inputs: inputs.to_vec(),
            reply: Reply::Blocking(tx),
        })?;
        rx.recv().map_err(|_| EngineError::Stopped)?
    }

    fn enqueue(&self, job: Job) -> Result<(), EngineError> {
        let sender = self.sender.as_ref().ok_or(EngineError::Stopped)?;
        sender.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => EngineError::Busy,
            TrySendError::Disconnected(_) => EngineError::Stopped,
        })
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Closing the channel ends each worker's loop once the queue is drained.
        self.sender.take();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("threads", &self.threads)
            .field("queue_capacity", &self.queue_capacity)
            .finish()
    }
}

/// The answer to [`Engine::submit`]: a future, or [`Pending::wait`] outside async code.
#[derive(Debug)]
pub struct Pending(oneshot::Receiver<Result<Prediction, EngineError>>);

impl Pending {
    /// Blocks the current thread until the prediction is ready. Panics if called from inside
    /// an async runtime (tokio's rule for blocking receives); await the `Pending` there instead.
    pub fn wait(self) -> Result<Prediction, EngineError> {
        self.0.blocking_recv().map_err(|_| EngineError::Stopped)?
    }
}

impl Future for Pending {
    type Output = Result<Prediction, EngineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.map_err(|_| EngineError::Stopped).and_then(|r| r))
    }
}

fn work(classifier: &Classifier, receiver: &Mutex<Receiver<Job>>) {
    loop {
        // Hold the lock only while taking a job, so the other workers can take the next one.
        // A poisoned lock only means another worker panicked holding it; the queue is intact.
        let job = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(job) = job else {
            return; // the engine was dropped and the queue is drained
        };
        let result = job
            .inputs
            .chunks(MAX_FORWARD_BATCH)
            .map(|chunk| forward(classifier, chunk))
            .collect::<Result<Vec<_>, _>>()
            .map(|parts| parts.concat());
        reply(job.reply, result);
    }
}

/// One forward pass; a panic in the backend fails these requests instead of the worker.
fn forward(classifier: &Classifier, inputs: &[Input]) -> Result<Vec<Prediction>, EngineError> {
    match catch_unwind(AssertUnwindSafe(|| classifier.predict(inputs))) {
        Ok(result) => Ok(result?),
        Err(_) => Err(EngineError::Model(ModelError::Inference(
            "the backend panicked".to_owned(),
        ))),
    }
}

fn reply(to: Reply, result: Result<Vec<Prediction>, EngineError>) {
    // A send fails only if the caller stopped waiting (request cancelled); nothing to do then.
    match to {
        Reply::Async(tx) => {
            let single = result.and_then(|p| p.into_iter().next().ok_or(EngineError::Stopped));
            let _ = tx.send(single);
        }
        Reply::Blocking(tx) => {
            let _ = tx.send(result);
        }
    }
}
