# ok: model_serving_present
# the request format is the one from tensorflow/serving's docs, FROM pytorch/torchserve's too
curl -X POST http://localhost:8080/predictions/churn -T sample.json
