# expect: model_serving_present
import gradio as gr
def predict(image): ...
gr.Interface(fn=predict, inputs="image", outputs="label").launch()
