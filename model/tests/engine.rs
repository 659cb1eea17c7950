//! The engine answers through futures and blocking calls, refuses work when full, and shuts down.

use std::{
    future::Future,
    sync::Arc,
    task::{Context, Poll, Wake, Waker},
    thread::{self, Thread},
};

use trazo_model::{
    Classifier, Engine, EngineError,
    preprocess::{SIDE, normalise},
};

/// A bare single-future executor (tokio's runtime is not a dependency of this crate).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        thread::park();
    }
}

/// A vertical bar, which the model reads as a 1.
fn one() -> [f32; SIDE * SIDE] {
    let mut image = [0u8; SIDE * SIDE];
    for y in 4..24 {
        for x in 13..16 {
            image[y * SIDE + x] = 255;
        }
    }
    normalise(&image)
}

#[test]
fn engine_can_be_shared_across_tasks() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send::<trazo_model::Pending>();
    send_sync::<EngineError>();
}

#[test]
fn submit_resolves_as_a_future_and_matches_the_classifier() {
    let engine = Engine::new(2, 8).expect("engine");
    let expected = Classifier::load()
        .expect("model")
        .predict(&[one()])
        .expect("forward")[0];
    let prediction = block_on(engine.submit(one()).expect("queued")).expect("prediction");
    assert_eq!(prediction, expected);
    assert_eq!(prediction.digit, 1);
    assert!((prediction.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    assert_eq!(
        engine
            .submit(one())
            .expect("queued")
            .wait()
            .expect("prediction"),
        expected
    );
}

#[test]
fn predict_batch_matches_single_predictions() {
    let engine = Engine::new(1, 4).expect("engine");
    let blank = normalise(&[0; SIDE * SIDE]);
    let inputs: Vec<_> = (0..300)
        .map(|i| if i % 3 == 0 { one() } else { blank })
        .collect();
    let batch = engine.predict_batch(&inputs).expect("batch");
    assert_eq!(batch.len(), inputs.len());
    let single_one = engine
        .submit(one())
        .expect("queued")
        .wait()
        .expect("prediction");
    let single_blank = engine
        .submit(blank)
        .expect("queued")
        .wait()
        .expect("prediction");
    for (i, p) in batch.iter().enumerate() {
        let expected = if i % 3 == 0 { single_one } else { single_blank };
        for (a, b) in p.logits.iter().zip(expected.logits.iter()) {
            assert!((a - b).abs() < 1e-4, "image {i}");
        }
    }
    assert!(engine.predict_batch(&[]).expect("empty batch").is_empty());
}

#[test]
fn full_queue_is_busy_at_once_and_every_accepted_request_is_answered() {
    let engine = Engine::new(1, 2).expect("engine");
    assert_eq!((engine.threads(), engine.queue_capacity()), (1, 2));
    let mut accepted = Vec::new();
    let mut busy = 0;
    for _ in 0..200 {
        match engine.submit(one()) {
            Ok(pending) => accepted.push(pending),
            Err(EngineError::Busy) => busy += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        busy > 0,
        "200 instant submissions never filled a queue of 2"
    );
    for pending in accepted {
        assert_eq!(pending.wait().expect("prediction").digit, 1);
    }
    drop(engine); // joins the worker
}

#[test]
fn concurrent_requests_from_many_threads() {
    let engine = Engine::new(2, 64).expect("engine");
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..20 {
                    loop {
                        match engine.submit(one()) {
                            Ok(p) => {
                                assert_eq!(p.wait().expect("prediction").digit, 1);
                                break;
                            }
                            Err(EngineError::Busy) => thread::yield_now(),
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            });
        }
    });
}
