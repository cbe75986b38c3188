# ok: model_serving_present
import gradio as gr
theme = gr.themes.Soft()
